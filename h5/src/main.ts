import { createPinia } from 'pinia';
import { createApp } from 'vue';
// Styles of Vant's function-style APIs (toast, dialog), which the component resolver can't see.
import 'vant/es/toast/style';
import 'vant/es/dialog/style';
import { setUnauthorizedHandler } from './api/client';
import { takeOverFirstPaint } from './boot';
import App from './App.vue';
import { router } from './router';
import { loginUrl } from './stores/session';
import './styles.css';

// No session (first visit, expired, logged out): go through WeCom login and come back here.
setUnauthorizedHandler(() => {
  window.location.assign(loginUrl(`${window.location.pathname}${window.location.search}`));
});

// Mounted once the first route has resolved (its guard waits for the session): until then the
// page shows what the HTML painted (sidebar.html's skeleton) rather than an empty shell.
const app = createApp(App).use(createPinia()).use(router);
// sidebar.html keeps `#app` hidden behind its first paint until the sidebar takes over
// (SidebarPage.vue); any other first route shows at once.
void router.isReady().then(() => {
  app.mount('#app');
  if (router.currentRoute.value.name !== 'sidebar') takeOverFirstPaint();
});
