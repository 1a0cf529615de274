// Entering another project of the session: a new access token for it, the same
// refresh token (whose later refreshes stay in the new project), and nothing kept
// that was read in the old one.

import type { QueryClient } from "@tanstack/react-query";
import type { Client } from "./client";
import { switchProject } from "./endpoints";

export async function enterProject(c: Client, queries: QueryClient, projectId: string): Promise<void> {
  const answer = await switchProject(c, projectId);
  // Read after the request: it may have refreshed the session meanwhile.
  const session = c.store.load();
  c.store.save({ accessToken: answer.access_token, refreshToken: session?.refreshToken ?? null });
  // Drops every answer of the old project; the screens showing read again.
  void queries.resetQueries();
}
