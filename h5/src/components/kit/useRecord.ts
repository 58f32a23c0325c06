/**
 * A detail page's record: the route's `:id`, the record once `fetch` brought it (loaded when the
 * page mounts), and its load with the failure message (useLoad) for the page's retry screen and
 * for loading it again after a change.
 */
import { onMounted, ref, type Ref } from 'vue';
import { useRoute } from 'vue-router';
import { useLoad } from './useLoad';

export function useRecord<T>(fetch: (id: number) => Promise<T>) {
  const id = Number(useRoute().params.id);
  const record = ref(null) as Ref<T | null>;
  const { error, load } = useLoad(async () => {
    record.value = await fetch(id);
  });
  onMounted(load);
  return { id, record, error, load };
}
