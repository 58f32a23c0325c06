/**
 * `npm run wecom-simulator`: the simulator on its own port (default 3100), for pointing a
 * locally running server at it with WECOM_API_BASE=http://127.0.0.1:3100 and for poking at the
 * WeCom API shapes with curl. Callback events go to CALLBACK_URL when set.
 */
import { createServer } from 'node:http';
import { SIMULATOR_DEFAULTS } from '../config/simulator-defaults';
import { createWecomSimulator } from './wecom-simulator/index';

const port = Number(process.env.SIMULATOR_PORT ?? 3100);
const simulator = createWecomSimulator({
  corpId: process.env.WECOM_CORP_ID,
  callbackToken: process.env.WECOM_CALLBACK_TOKEN,
  callbackAesKey: process.env.WECOM_CALLBACK_AES_KEY,
  callbackUrl: process.env.CALLBACK_URL,
});
createServer(simulator.listener).listen(port, () => {
  const corpId = process.env.WECOM_CORP_ID ?? SIMULATOR_DEFAULTS.corpId;
  process.stdout.write(
    [
      `WeCom simulator on http://127.0.0.1:${port}`,
      `  corp id            ${corpId}`,
      `  agent id / secret  ${SIMULATOR_DEFAULTS.agentId} / ${SIMULATOR_DEFAULTS.agentSecret}`,
      `  callback Token     ${process.env.WECOM_CALLBACK_TOKEN ?? SIMULATOR_DEFAULTS.callbackToken}`,
      `  EncodingAESKey     ${process.env.WECOM_CALLBACK_AES_KEY ?? SIMULATOR_DEFAULTS.callbackAesKey}`,
      `  employees          ${simulator.state.users.size}, external contacts ${simulator.state.externalContacts.size}`,
      `  try: curl "http://127.0.0.1:${port}/cgi-bin/gettoken?corpid=${corpId}&corpsecret=${SIMULATOR_DEFAULTS.contactSecret}"`,
      '',
    ].join('\n'),
  );
});
