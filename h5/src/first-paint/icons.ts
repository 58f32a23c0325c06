/**
 * The sidebar's few icons as inline SVG (24×24, stroked in currentColor): the first paint draws
 * them without the icon font, so the font is never on the card's critical path. The Vue card uses
 * the same strings (components/sidebar/SvgIcon.vue), so the takeover shows the same glyphs.
 */
const svg = (body: string) =>
  `<svg viewBox="0 0 24 24" width="1em" height="1em" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">${body}</svg>`;

export const ICONS = {
  'phone-o': svg('<path d="M5 4h3.5l1.6 4-2.2 1.5a11 11 0 0 0 6.6 6.6l1.5-2.2 4 1.6V19a1.5 1.5 0 0 1-1.6 1.5A16.5 16.5 0 0 1 3.5 5.6 1.5 1.5 0 0 1 5 4z"/>'),
  'user-circle-o': svg('<circle cx="12" cy="12" r="9"/><circle cx="12" cy="10" r="3.2"/><path d="M6.2 18.4a6.5 6.5 0 0 1 11.6 0"/>'),
  'label-o': svg('<path d="M6 3.5h12v17l-6-4.2-6 4.2z"/><path d="M9 8h6"/>'),
  'chat-o': svg('<path d="M4 5.5h16v11H9l-4 3.5v-3.5H4z"/><path d="M8.5 11h.01M12 11h.01M15.5 11h.01" stroke-width="2.4"/>'),
  'records-o': svg('<path d="M6 3.5h9l3 3v14H6z"/><path d="M9 10h6M9 13.5h6M9 17h3.5"/>'),
  edit: svg('<path d="M4 20h16"/><path d="M14.5 4.5l3 3L9 16H6v-3z"/>'),
  arrow: svg('<path d="M9 5l7 7-7 7"/>'),
  qr: svg('<path d="M4 4h6v6H4zM14 4h6v6h-6zM4 14h6v6H4z"/><path d="M14 14h2v2h-2zM18 18h2v2h-2zM14 18h2M18 14h2"/>'),
  'warning-o': svg('<circle cx="12" cy="12" r="9"/><path d="M12 7.5v6M12 16.5h.01"/>'),
  exchange: svg('<path d="M5 9h14l-4-4M19 15H5l4 4"/>'),
  plus: svg('<path d="M12 5v14M5 12h14"/>'),
} as const;

export type IconName = keyof typeof ICONS;
