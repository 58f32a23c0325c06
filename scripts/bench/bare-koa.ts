/** The baseline server: Koa answering `success` to everything, nothing behind it (PORT env). */
import Koa from 'koa';

const app = new Koa();
app.use((ctx) => {
  ctx.body = 'success';
});
app.listen(Number(process.env.PORT), '127.0.0.1');
