/**
 * 客户联系 tools the simulator plays beyond the mirror: 「联系我」 QR codes (渠道活码) and media, as
 * WeCom documents them (developer.work.weixin.qq.com/document/path/N).
 *
 * - 「联系我」 (92228 / 96348 客户联系「联系我」管理): `type` 1 单人 (exactly one `user`) or 2 多人 (users
 *   and departments, at most 100 members after expansion); `scene` 1 小程序 / 2 二维码 (only scene 2
 *   returns `qr_code`); `remark` and `state` at most 30 characters; `skip_verify` defaults to
 *   true; every member must have the 客户联系 permission. `list_contact_way` pages `config_id`s
 *   (limit ≤ 1000, cursor; default window the last 90 days). A customer who scans the code
 *   adds one of its members (多人: in turn), and the add event carries the code's `State`.
 * - 上传临时素材 `media/upload` (90253 / 96484): multipart field `media`, more than 5 bytes, an image
 *   ≤ 10 MB JPG / PNG, a video ≤ 10 MB, a file (普通文件) ≤ 20 MB; the media_id is good for three days. 上传图片 `media/uploadimg` (90256): a
 *   permanent URL, an image of 5 B – 2 MB.
 */
import { createHash, randomBytes } from 'node:crypto';
import QRCode from 'qrcode';
import type { WecomExternalContact } from '../../server/wecom/types';
import { SimulatorError, type CorpState } from './state';

export interface SimContactWay {
  config_id: string;
  type: 1 | 2;
  scene: 1 | 2;
  remark: string;
  skip_verify: boolean;
  state: string;
  user: string[];
  party: number[];
  qr_code?: string;
  created_at: number;
}

const WAY_TEXT_MAX = 30;
const WAY_MEMBERS_MAX = 100;
const LIST_DEFAULT_WINDOW_S = 90 * 86_400;

export class ContactWays {
  readonly ways = new Map<string, SimContactWay>();
  private readonly turn = new Map<string, number>();

  constructor(
    private readonly state: CorpState,
    private readonly now: () => number,
    /** Where this simulator serves the QR images (a browser can't reach WeCom's CDN from here). */
    private readonly publicBaseUrl?: string,
  ) {}

  add(r: Record<string, unknown>): { config_id: string; qr_code?: string } {
    const type = Number(r.type);
    const scene = Number(r.scene);
    if (type !== 1 && type !== 2) throw new SimulatorError(40058, 'type must be 1 or 2');
    if (scene !== 1 && scene !== 2) throw new SimulatorError(40058, 'scene must be 1 or 2');
    const way: SimContactWay = {
      config_id: randomBytes(16).toString('hex'),
      type,
      scene,
      ...this.checked(type, r),
      created_at: Math.floor(this.now() / 1000),
    };
    if (scene === 2) {
      way.qr_code = this.publicBaseUrl
        ? `${this.publicBaseUrl}/admin/contact-ways/${way.config_id}/qr.svg`
        : `https://wwcdn.weixin.qq.com/contact_way/${way.config_id}.png`;
    }
    this.ways.set(way.config_id, way);
    return { config_id: way.config_id, ...(way.qr_code ? { qr_code: way.qr_code } : {}) };
  }

  get(configId: unknown): SimContactWay {
    const way = this.ways.get(String(configId ?? ''));
    if (!way) throw new SimulatorError(41044, 'invalid config_id');
    return way;
  }

  /** `update_contact_way`: what is given replaces what was (users, parties, remark, state…). */
  update(r: Record<string, unknown>): void {
    const way = this.get(r.config_id);
    Object.assign(way, this.checked(way.type, { ...way, ...r }));
  }

  delete(configId: unknown): void {
    this.get(configId);
    this.ways.delete(String(configId));
  }

  list(r: Record<string, unknown>): SimContactWay[] {
    const now = Math.floor(this.now() / 1000);
    const start = r.start_time === undefined ? now - LIST_DEFAULT_WINDOW_S : Number(r.start_time);
    const end = r.end_time === undefined ? now : Number(r.end_time);
    return [...this.ways.values()].filter((w) => w.created_at >= start && w.created_at <= end);
  }

  /** The code as an SVG QR image; what it encodes stands for WeCom's add-contact link. */
  async qrSvg(configId: string): Promise<string> {
    const way = this.get(configId);
    return QRCode.toString(`https://work.weixin.qq.com/ca/${way.config_id}`, { type: 'svg', margin: 1, width: 240 });
  }

  /** A customer scans the code: they add one of its members, and the event carries the code's state. */
  scan(configId: string, contact: WecomExternalContact): { userid: string; name: string } {
    const way = this.get(configId);
    const members = [...way.user, ...[...this.state.users.values()].filter((u) => u.department.some((d) => way.party.includes(d))).map((u) => u.userid)];
    const turn = this.turn.get(configId) ?? 0;
    const userid = members[turn % members.length]!;
    this.turn.set(configId, turn + 1);
    this.state.addExternalContact(contact, { userid, remark: '', description: '', add_way: 1, tag_ids: [], state: way.state || undefined });
    // The member's name too: the H5's toast names the person, never the userid.
    return { userid, name: this.state.users.get(userid)?.name ?? userid };
  }

  private checked(type: number, r: Record<string, unknown>): Pick<SimContactWay, 'remark' | 'skip_verify' | 'state' | 'user' | 'party'> {
    const remark = typeof r.remark === 'string' ? r.remark : '';
    const state = typeof r.state === 'string' ? r.state : '';
    if ([...remark].length > WAY_TEXT_MAX) throw new SimulatorError(40058, `remark exceeds ${WAY_TEXT_MAX} characters`);
    if ([...state].length > WAY_TEXT_MAX) throw new SimulatorError(40058, `state exceeds ${WAY_TEXT_MAX} characters`);
    const user = Array.isArray(r.user) ? r.user.map(String) : [];
    const party = type === 2 && Array.isArray(r.party) ? r.party.map(Number) : [];
    if (type === 1 && user.length !== 1) throw new SimulatorError(40058, 'a single-member contact way needs exactly one user');
    if (type === 2 && !user.length && !party.length) throw new SimulatorError(40058, 'user or party required');
    for (const u of user) {
      this.state.requireUser(u);
      if (!this.state.followUsers.has(u)) throw new SimulatorError(84074, `${u} has no 客户联系 permission`);
    }
    for (const p of party) this.state.requireDepartment(p);
    const expanded = new Set([...user, ...[...this.state.users.values()].filter((u) => u.department.some((d) => party.includes(d))).map((u) => u.userid)]);
    if (expanded.size > WAY_MEMBERS_MAX) throw new SimulatorError(40058, `at most ${WAY_MEMBERS_MAX} members`);
    return { remark, state, user, party, skip_verify: r.skip_verify === undefined ? true : Boolean(r.skip_verify) };
  }
}

export interface SimMedia {
  type: string;
  bytes: number;
  sha256: string;
  createdAt: number;
}

const MEDIA_TTL_MS = 3 * 86_400_000;
const IMAGE_MAX = 10 * 1024 * 1024;
const UPLOADIMG_MAX = 2 * 1024 * 1024;
const TYPES = ['image', 'voice', 'video', 'file'];
/** 90253: 普通文件 up to 20 MB, 视频 up to 10 MB. */
const FILE_MAX = 20 * 1024 * 1024;
const VIDEO_MAX = 10 * 1024 * 1024;

export class MediaStore {
  readonly media = new Map<string, SimMedia>();
  readonly images = new Map<string, { sha256: string }>();

  constructor(private readonly now: () => number) {}

  upload(type: string, file: { bytes: Buffer; filename: string } | undefined): { type: string; media_id: string; created_at: string } {
    if (!TYPES.includes(type)) throw new SimulatorError(40004, 'invalid media type');
    if (!file) throw new SimulatorError(41005, 'media data missing');
    if (file.bytes.length <= 5) throw new SimulatorError(40005, 'invalid file size');
    if (type === 'image') checkImage(file, IMAGE_MAX);
    if ((type === 'file' && file.bytes.length > FILE_MAX) || (type === 'video' && file.bytes.length > VIDEO_MAX))
      throw new SimulatorError(40006, 'invalid file size');
    const mediaId = `3${randomBytes(20).toString('base64url')}`;
    this.media.set(mediaId, { type, bytes: file.bytes.length, sha256: sha(file.bytes), createdAt: this.now() });
    return { type, media_id: mediaId, created_at: String(Math.floor(this.now() / 1000)) };
  }

  uploadImage(file: { bytes: Buffer; filename: string } | undefined): { url: string } {
    if (!file) throw new SimulatorError(41005, 'media data missing');
    if (file.bytes.length < 5) throw new SimulatorError(40005, 'invalid file size');
    checkImage(file, UPLOADIMG_MAX);
    const url = `https://wework.qpic.cn/wwpic/${randomBytes(12).toString('hex')}/0`;
    this.images.set(url, { sha256: sha(file.bytes) });
    return { url };
  }

  /** A media_id still good (three days from its upload). */
  requireLive(mediaId: unknown, type = 'image'): void {
    const m = this.media.get(String(mediaId ?? ''));
    if (!m || m.type !== type || this.now() - m.createdAt >= MEDIA_TTL_MS) throw new SimulatorError(40007, 'invalid media_id');
  }
}

function checkImage(file: { bytes: Buffer; filename: string }, max: number): void {
  if (file.bytes.length > max) throw new SimulatorError(40006, 'invalid file size');
  const png = file.bytes.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  const jpg = file.bytes[0] === 0xff && file.bytes[1] === 0xd8;
  if (!png && !jpg) throw new SimulatorError(40113, 'unsupported file type');
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
