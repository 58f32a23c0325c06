import { createPinia } from 'pinia';
import { createApp } from 'vue';
// Styles of Vant's function-style APIs (toast, dialog), which the component resolver can't see.
import 'vant/es/toast/style';
import 'vant/es/dialog/style';
import { setUnauthorizedHandler } from './api/client';
import App from './App.vue';
import { router } from './router';
import { loginUrl } from './stores/session';
import './styles.css';

// No session (first visit, expired, logged out): go through WeCom login and come back here.
setUnauthorizedHandler(() => {
  window.location.assign(loginUrl(`${window.location.pathname}${window.location.search}`));
});

createApp(App).use(createPinia()).use(router).mount('#app');
