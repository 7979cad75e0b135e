import path from 'node:path';
import HtmlWebpackPlugin from 'html-webpack-plugin';
import webpack from 'webpack';

// Types are checked by `npm run typecheck` (tsc -b), one project for each side.
const typescript = { test: /\.ts$/, loader: 'ts-loader', exclude: /node_modules/, options: { transpileOnly: true } };
const output = path.resolve(import.meta.dirname, 'dist');
// `process.env.API_ORIGIN` in both bundles, from the environment (API_ORIGIN=https://api.example.com).
const env = new webpack.EnvironmentPlugin({ API_ORIGIN: 'http://localhost:8787' });

export default [
  {
    name: 'app',
    entry: './src/main.ts',
    // `keep`: both builds write into dist/ at once; clean only this one's old files.
    output: { path: output, filename: '[name].[contenthash].js', clean: { keep: 'auth-sw.js' } },
    module: { rules: [typescript] },
    resolve: { extensions: ['.ts', '.js'] },
    plugins: [new HtmlWebpackPlugin({ template: 'src/index.html' }), env],
  },
  {
    name: 'auth-sw',
    target: 'webworker',
    entry: { 'auth-sw': './src/auth-sw.ts' },
    // No [contenthash]: the page registers this exact URL.
    output: { path: output, filename: '[name].js' },
    module: { rules: [typescript] },
    resolve: { extensions: ['.ts', '.js'] },
    plugins: [env],
  },
];
