/**
 * Fixed credentials of the demo corp served by the built-in WeCom simulator. They are not
 * secrets: they only ever authenticate against the simulator, and are printed at start so a
 * developer can point another sender at the callback URL.
 */
export const SIMULATOR_DEFAULTS = Object.freeze({
  corpId: 'ww00000000demo0001',
  agentId: '1000002',
  agentSecret: 'demo-agent-secret',
  contactSecret: 'demo-contact-secret',
  externalSecret: 'demo-external-secret',
  callbackToken: 'DemoCallbackToken',
  callbackAesKey: 'WecomCrmDemoEncodingAESKey0123456789abcdefg',
});
