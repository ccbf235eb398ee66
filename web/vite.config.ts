import { defineConfig, loadEnv } from 'vite';
import react from '@vitejs/plugin-react';

// `npm run dev` serves the UI with hot reload and forwards /api to a running vigil server
// (VIGIL_DEV_SERVER, default http://127.0.0.1:8080). The production build is plain static files
// in dist/, served by vigil itself on the same origin as the API.
export default defineConfig(({ mode }) => {
  const env = loadEnv(mode, '.', 'VIGIL_');
  const target = env.VIGIL_DEV_SERVER || 'http://127.0.0.1:8080';
  return {
    plugins: [react()],
    base: '/',
    build: {
      outDir: 'dist',
      emptyOutDir: true,
      sourcemap: false,
      chunkSizeWarningLimit: 1024,
    },
    server: {
      proxy: { '/api': { target, changeOrigin: false } },
    },
  };
});
