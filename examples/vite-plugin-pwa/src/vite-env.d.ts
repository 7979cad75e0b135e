// import.meta.env for the page and the worker alike. Not `vite/client`: it also declares asset
// imports against DOM types (SharedWorker) that the worker's WebWorker library does not have.
/// <reference types="vite/types/importMeta.d.ts" />

interface ImportMetaEnv {
  /** The API's origin, from `.env` or the environment (`VITE_API_ORIGIN=https://api.example.com`). */
  readonly VITE_API_ORIGIN: string;
}
