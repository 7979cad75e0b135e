// What webpack's EnvironmentPlugin puts into both bundles (webpack.config.js).
declare const process: { readonly env: { readonly API_ORIGIN: string } };
