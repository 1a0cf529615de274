import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./app";
import { applyTheme, followSystem } from "./lib/theme";
import "./styles.css";

applyTheme();
// Every page follows the system's theme (unless toggled), the sign-in page too.
followSystem(() => {});

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
