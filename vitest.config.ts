import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    restoreMocks: true,
    unstubEnvs: true,
    // Runtime tests share the kernel (mounts, cgroups); two workers match the machine's two cores.
    maxWorkers: 2,
  },
});
