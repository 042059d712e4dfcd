import { defineConfig } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";

// The shell embeds ui/dist; relative asset paths keep it loadable from tauri://localhost.
// Tests run in one fixed time zone with daylight saving so date handling is checked for real.
if (process.env.VITEST) process.env.TZ = "America/New_York";

export default defineConfig({
  plugins: [svelte()],
  base: "./",
  build: { outDir: "dist", emptyOutDir: true, target: "safari15" },
  resolve: process.env.VITEST ? { conditions: ["browser"] } : undefined,
  test: { environment: "jsdom", include: ["src/**/*.test.ts"], setupFiles: ["src/test/setup.ts"] },
});
