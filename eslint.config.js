// One lint configuration for every package (each runs `eslint src test` from its own folder).
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/node_modules/**", "**/dist/**", "**/.turbo/**", "**/data/**"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "no-console": "off",
      eqeqeq: ["error", "smart"],
    },
  },
  {
    // Routers and the HTTP layer stay thin: only services and the data layer touch the ORM.
    files: ["apps/server/src/trpc/**/*.ts", "apps/server/src/http/**/*.ts", "**/src/trpc/**/*.ts", "**/src/http/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { paths: [{ name: "typeorm", message: "Only services and db/ use TypeORM." }] }],
    },
  },
  {
    files: ["**/*.test.ts", "**/test/**/*.ts"],
    rules: { "@typescript-eslint/no-non-null-assertion": "off", "@typescript-eslint/no-explicit-any": "off" },
  },
);
