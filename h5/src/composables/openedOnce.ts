import { ref, watch, type Ref } from 'vue';

/**
 * True from the first time `show` turns true: a sheet behind `v-if="openedOnce(show)"` is mounted
 * (and its code, with forms, pickers and validation, downloaded) only when someone opens it, and
 * stays mounted so it can slide away.
 */
export function openedOnce(show: Ref<boolean>): Readonly<Ref<boolean>> {
  const opened = ref(show.value);
  watch(show, (open) => {
    if (open) opened.value = true;
  });
  return opened;
}
