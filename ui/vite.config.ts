import { defineConfig } from "vite";

// The app is served from Tauri's embedded asset protocol; no dev server is used by builds or tests.
// `npm run build` (what the tests and debug builds embed) keeps the test hooks in `src/testing/`;
// `npm run build:release` (`--mode release`) compiles them out.
export default defineConfig(({ mode }) => ({
  clearScreen: false,
  define: {
    __TEST_HOOKS__: JSON.stringify(mode !== "release"),
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "safari15",
    // Keep every script an external file: the CSP forbids inline script.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
}));
