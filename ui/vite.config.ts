import { defineConfig } from "vite";

// The app is served from Tauri's embedded asset protocol; no dev server is used by builds or tests.
export default defineConfig({
  clearScreen: false,
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "safari15",
    // Keep every script an external file: the CSP forbids inline script.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
});
