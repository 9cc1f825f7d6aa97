/**
 * The console is served by the API under /console/ (same origin as the API, so
 * no CORS and the bearer token never leaves it). `npm run dev` proxies the API
 * routes to a running API (API_URL, default http://127.0.0.1:3000).
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

const api = process.env.API_URL ?? 'http://127.0.0.1:3000';
const apiPaths = ['/items', '/units', '/plans', '/escalations', '/evidence', '/dev', '/openapi.json', '/calendar'];

export default defineConfig({
  base: '/console/',
  plugins: [react()],
  server: { proxy: Object.fromEntries(apiPaths.map((p) => [p, api])) },
  build: {
    outDir: 'dist',
    // antd is tree-shaken through its ES modules; the vendor chunk keeps the app chunk small between releases
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      output: {
        manualChunks(id: string) {
          if (!id.includes('node_modules')) return undefined;
          if (/node_modules\/(antd|@ant-design|rc-|@rc-component)/.test(id)) return 'antd';
          if (/node_modules\/(react|react-dom|react-router|scheduler)\//.test(id)) return 'react';
          return 'vendor';
        },
      },
    },
  },
  test: {
    globals: true,
    environment: 'jsdom',
    setupFiles: ['./test/setup.ts'],
    include: ['test/**/*.test.{ts,tsx}'],
    testTimeout: 30000,
  },
});
