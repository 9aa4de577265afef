/** True in test builds (`npm run build`), false in release builds (`npm run build:release`); see vite.config.ts. */
declare const __TEST_HOOKS__: boolean;
