import type { WecomClient } from '../../wecom/client';
import { signJsApi, type JsApiSignature } from '../../wecom/jssdk';

export interface JssdkConfig {
  corpId: string;
  agentId: string;
  /** For `ww.register` → `getConfigSignature` (corp jsapi ticket). */
  config: JsApiSignature;
  /** For `ww.register` → `getAgentConfigSignature` (app ticket). */
  agentConfig: JsApiSignature;
}

/** Both JS-SDK signatures for one page URL (its `#fragment` is not signed). */
export async function jssdkConfigFor(wecom: WecomClient, url: string): Promise<JssdkConfig> {
  const [jsapiTicket, agentTicket] = await Promise.all([wecom.getJsapiTicket(), wecom.getAgentTicket()]);
  return {
    corpId: wecom.corpId,
    agentId: wecom.agentId,
    config: signJsApi(jsapiTicket, url),
    agentConfig: signJsApi(agentTicket, url),
  };
}
