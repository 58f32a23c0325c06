/**
 * The desktop parts, loaded only when a wide screen shows them: a page imports them from here, so
 * its phone layout (and the chat sidebar) never downloads the table code.
 */
import { defineAsyncComponent } from 'vue';

export const DeskTable = defineAsyncComponent(() => import('./DeskTable.vue'));
export type { Column } from './table';
export const FollowUpTable = defineAsyncComponent(() => import('./FollowUpTable.vue'));
