export { createHttpServer, type HttpServer, type HttpServerOptions } from './http-server.ts';
export { PATH_PLACEHOLDER, publicHealth, scrubErrorText } from './public-health.ts';
