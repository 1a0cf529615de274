import { QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createContext, lazy, Suspense, useContext, useSyncExternalStore } from "react";
import { createBrowserRouter, Navigate, Outlet, RouterProvider, useLocation } from "react-router";
import { ApiError, createClient, type Client } from "./api/client";
import { memoryStore, storageStore, type SessionStore } from "./api/session";
import { Shell } from "./screens/Shell";
import { SignIn } from "./screens/SignIn";

// Screens past sign-in load on demand: the first page carries only the shell.
const DataMarts = lazy(() => import("./screens/DataMarts"));
const Settings = lazy(() => import("./screens/Settings"));
const Accept = lazy(() => import("./screens/Accept"));
const Wizard = lazy(() => import("./screens/wizard/Wizard"));
const Sources = lazy(() => import("./screens/Sources"));
const Destinations = lazy(() => import("./screens/Destinations"));
const MartPage = lazy(() => import("./screens/mart/MartPage"));
const SqlEditor = lazy(() => import("./screens/SqlEditor"));
const Reports = lazy(() => import("./screens/reports/Reports"));
const NewReport = lazy(() => import("./screens/reports/ReportBuilder"));
const ReportPage = lazy(() => import("./screens/reports/ReportPage"));
const RunPage = lazy(() => import("./screens/Run"));

function sessionStore(): SessionStore {
  try {
    return storageStore(window.localStorage);
  } catch {
    return memoryStore();
  }
}

const client = createClient({ store: sessionStore() });
const ClientContext = createContext<Client>(client);

export function useClient(): Client {
  return useContext(ClientContext);
}

/** Whether someone is signed in, re-rendering when that changes (here or in another tab). */
export function useSignedIn(): boolean {
  const c = useClient();
  return useSyncExternalStore(c.store.subscribe, () => c.store.load() !== null);
}

const queries = new QueryClient({
  queryCache: new QueryCache(),
  defaultOptions: {
    queries: {
      // A refused credential signs out (the client does); retrying cannot help,
      // nor can it for any other answer of 4xx but 429, which says when to ask again.
      retry: (count, error) => count < 3 && (!(error instanceof ApiError) || error.retryable),
      retryDelay: (count, error) =>
        error instanceof ApiError && error.retryAfter !== null
          ? error.retryAfter * 1000
          : Math.min(1000 * 2 ** count, 10_000),
      refetchOnWindowFocus: true,
    },
  },
});

// Signing out forgets everything read with the old credential.
client.store.subscribe(() => {
  if (!client.store.load()) queries.clear();
});

function RequireSession() {
  const signedIn = useSignedIn();
  const location = useLocation();
  if (!signedIn) return <Navigate to="/sign-in" replace state={{ from: location.pathname }} />;
  return <Outlet />;
}

function Loading() {
  return (
    <p className="loading" role="status">
      Loading…
    </p>
  );
}

function Lazy({ screen: Screen }: { screen: React.ComponentType }) {
  return (
    <Suspense fallback={<Loading />}>
      <Screen />
    </Suspense>
  );
}

const router = createBrowserRouter([
  { path: "/sign-in", element: <SignIn /> },
  {
    path: "/accept",
    element: (
      <Suspense fallback={<Loading />}>
        <Accept />
      </Suspense>
    ),
  },
  {
    element: <RequireSession />,
    children: [
      {
        element: <Shell />,
        children: [
          { index: true, element: <Navigate to="/data-marts" replace /> },
          {
            path: "/data-marts",
            element: (
              <Suspense fallback={<Loading />}>
                <DataMarts />
              </Suspense>
            ),
          },
          { path: "/data-marts/new", element: <Lazy screen={Wizard} /> },
          { path: "/sources/:id?", element: <Lazy screen={Sources} /> },
          { path: "/destinations/:id?", element: <Lazy screen={Destinations} /> },
          { path: "/data-marts/:id/sql", element: <Lazy screen={SqlEditor} /> },
          { path: "/data-marts/:id/:section?", element: <Lazy screen={MartPage} /> },
          { path: "/reports", element: <Lazy screen={Reports} /> },
          { path: "/reports/new", element: <Lazy screen={NewReport} /> },
          { path: "/reports/:id", element: <Lazy screen={ReportPage} /> },
          { path: "/runs/:id", element: <Lazy screen={RunPage} /> },
          {
            path: "/settings/:section?",
            element: (
              <Suspense fallback={<Loading />}>
                <Settings />
              </Suspense>
            ),
          },
          { path: "*", element: <NotFound /> },
        ],
      },
    ],
  },
]);

function NotFound() {
  return (
    <div className="page">
      <h1>Not found</h1>
      <p>Nothing lives at this address.</p>
    </div>
  );
}

export function App() {
  return (
    <ClientContext.Provider value={client}>
      <QueryClientProvider client={queries}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </ClientContext.Provider>
  );
}
