/**
 * WeCom's built-in browser says itself in its user agent (`wxwork`, server/wecom/README.md#js-sdk):
 * there the JS-SDK works and the chat's contact comes from it; anywhere else it does not. One test
 * for the app, the sidebar's first-paint script and the server's preload of the boot request.
 */
export const isWecomUserAgent = (userAgent: string): boolean => /wxwork/i.test(userAgent);
