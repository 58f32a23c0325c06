/** `GET /api/wecom/jssdk-config?url=` (server/README.md#http-contract): what `ww.register` needs for one page URL. */
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
