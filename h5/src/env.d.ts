/// <reference types="vite/client" />

declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}

/** Whether the dev shim for `ww.*` is compiled in (all builds except `vite build --mode live`). */
declare const __WECOM_DEV_SHIM__: boolean;
