import type { CorpTagGroupView } from '@shared/engagement';
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { corpTagsApi } from '@/api/engagement';

/** The corp's tag groups (企业客户标签), loaded once per visit: the tag sheet, filters and 标签管理 share them. */
export const useCorpTagStore = defineStore('corpTags', () => {
  const groups = ref<CorpTagGroupView[] | null>(null);
  let loading: Promise<void> | null = null;

  function ensure(): Promise<void> {
    if (groups.value) return Promise.resolve();
    loading ??= corpTagsApi
      .list()
      .then((r) => {
        groups.value = r.groups;
      })
      .finally(() => {
        loading = null;
      });
    return loading;
  }

  function reload(): Promise<void> {
    groups.value = null;
    return ensure();
  }

  /** After an admin change: the server answers with the whole list. */
  function set(next: CorpTagGroupView[]): void {
    groups.value = next;
  }

  const names = computed(() => new Map((groups.value ?? []).flatMap((g) => g.tags.map((t) => [t.id, t.name] as const))));
  const nameOf = (id: string): string => names.value.get(id) ?? id;

  return { groups, ensure, reload, set, nameOf };
});

/** What to add and remove to go from `before` to `after`. */
export function tagChange(before: readonly string[], after: readonly string[]): { add: string[]; remove: string[] } {
  return { add: after.filter((id) => !before.includes(id)), remove: before.filter((id) => !after.includes(id)) };
}
