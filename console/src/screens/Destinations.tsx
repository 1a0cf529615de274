// The destinations screen: where reports deliver, forms from the destination kinds' specs.
import * as api from "../api/sources";
import { ConfiguredScreen, type Kind } from "./Configured";

const kind: Kind = {
  path: "destinations",
  noun: "destination",
  plural: "Destinations",
  kindLabel: "Kind",
  intro: "Where reports deliver. Secret settings are stored apart and never shown again.",
  kinds: async (c, signal) => (await api.destinationKinds(c, signal)).map((k) => ({ ...k, name: k.kind })),
  list: (c, signal) => api.destinations(c, signal),
  get: (c, id, signal) => api.destination(c, id, signal),
  create: (c, title, kind, config) => api.createDestination(c, { title, kind, config }),
  update: (c, id, body) => api.updateDestination(c, id, body),
  remove: (c, id) => api.deleteDestination(c, id),
  test: (c, id) => api.testDestination(c, id),
};

export default function Destinations() {
  return <ConfiguredScreen kind={kind} />;
}
