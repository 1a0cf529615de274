import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { runtimeConfig } from "./api/config";
import { App } from "./app";
import { applyTheme, followSystem } from "./lib/theme";
import "./styles.css";

applyTheme();
// Every page follows the system's theme (unless toggled), the sign-in page too.
followSystem(() => {});
// The deployment's settings (where runs are followed live), ready before a monitor opens.
void runtimeConfig();

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
