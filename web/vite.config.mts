// The pages: one HTML shell, one module per page loaded on demand, built into the
// Python package (dentareview/webapp) so the service serves it with no CDN; and the
// API reference (/docs, Swagger UI from the pinned npm package) as a second page.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const outDir = fileURLToPath(new URL("../dentareview/webapp", import.meta.url));
const page = (name: string) => fileURLToPath(new URL(name, import.meta.url));

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/",
  publicDir: "public",
  // The anonymous proof's worker (snarkjs) is an ES module with its own chunks.
  worker: { format: "es" },
  build: {
    outDir,
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    manifest: true,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 600,
    rollupOptions: { input: { index: page("index.html"), docs: page("docs.html") } },
  },
});
