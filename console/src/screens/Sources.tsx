// The sources screen: connectors configured in the project, forms from their specs.
import * as api from "../api/sources";
import { ConfiguredScreen, type Kind } from "./Configured";

const kind: Kind = {
  path: "sources",
  noun: "source",
  plural: "Sources",
  kindLabel: "Connector",
  intro: "Where data marts read from: a connector and its settings. Secret settings are stored apart and never shown again.",
  kinds: async (c, signal) => (await api.connectors(c, signal)).map((k) => ({ ...k })),
  list: async (c, signal) => (await api.sources(c, signal)).map((s) => ({ ...s, kind: s.connector })),
  get: async (c, id, signal) => {
    const s = await api.source(c, id, signal);
    return { ...s, kind: s.connector };
  },
  create: async (c, title, connector, config) => {
    const s = await api.createSource(c, { title, connector, config });
    return { ...s, kind: s.connector };
  },
  update: async (c, id, body) => {
    const s = await api.updateSource(c, id, body);
    return { ...s, kind: s.connector };
  },
  remove: (c, id) => api.deleteSource(c, id),
  test: (c, id) => api.testSource(c, id),
};

export default function Sources() {
  return <ConfiguredScreen kind={kind} />;
}
