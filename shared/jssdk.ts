/** `GET /api/wecom/jssdk-config?url=` (DESIGN §4): what `ww.register` needs for one page URL. */
export interface JsApiSignatureView {
  timestamp: number;
  nonceStr: string;
  signature: string;
}

export interface JssdkConfigResponse {
  corpId: string;
  agentId: string;
  config: JsApiSignatureView;
  agentConfig: JsApiSignatureView;
}
