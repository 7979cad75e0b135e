import { installAuthProxy } from 'sw-auth-proxy/sw';

const api = process.env.API_ORIGIN; // e.g. https://api.example.com

installAuthProxy({
  protectedOrigins: [{ origin: api, pathPrefixes: ['/api/'] }],
  tokenEndpoints: [`${api}/auth/login`, `${api}/auth/token`],
  refreshEndpoint: `${api}/auth/token`,
  clientId: 'my-spa',
});
