// The embeddable widget: one self-contained classic script, /widget.js.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL("../dentareview/webapp", import.meta.url)),
    emptyOutDir: false,
    target: "es2019",
    reportCompressedSize: false,
    lib: {
      entry: fileURLToPath(new URL("src/widget.ts", import.meta.url)),
      name: "DentaReviewWidget",
      formats: ["iife"],
      fileName: () => "widget.js",
    },
  },
});
