import { installAuthProxy } from 'sw-auth-proxy/sw';
import { precacheAndRoute } from 'workbox-precaching';
import { registerRoute } from 'workbox-routing';
import { StaleWhileRevalidate } from 'workbox-strategies';

declare const self: ServiceWorkerGlobalScope;

const api = import.meta.env.VITE_API_ORIGIN; // e.g. https://api.example.com

// 1. First, before any route.
installAuthProxy({
  protectedOrigins: [{ origin: api, pathPrefixes: ['/api/'] }],
  tokenEndpoints: [`${api}/auth/login`, `${api}/auth/token`],
  refreshEndpoint: `${api}/auth/token`,
  clientId: 'my-spa',
});

// 2. Your routes, none of which matches the protected origin.
precacheAndRoute(self.__WB_MANIFEST);
registerRoute(
  ({ url, request }) => url.origin === self.location.origin && request.destination === 'image',
  new StaleWhileRevalidate({ cacheName: 'images' }),
);
