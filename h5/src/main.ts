import { createPinia } from 'pinia';
import { createApp } from 'vue';
// Styles of Vant's function-style APIs (toast, dialog), which the component resolver can't see.
import 'vant/es/toast/style';
import 'vant/es/dialog/style';
import App from './App.vue';
import { router } from './router';
import './styles.css';

createApp(App).use(createPinia()).use(router).mount('#app');
