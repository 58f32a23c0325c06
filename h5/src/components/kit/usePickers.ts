import { computed, reactive, ref, type WritableComputedRef } from 'vue';

/**
 * A form's pickers, of which one at most is open: `picking` names it (a PickerField's `@open` sets
 * it), and `shown[name]` is each sheet's or popup's `v-model:show`.
 */
export function usePickers<Name extends string>(...names: Name[]) {
  const picking = ref<Name | null>(null);
  const toggles = Object.fromEntries(
    names.map((name) => [name, computed({ get: () => picking.value === name, set: (open: boolean) => (picking.value = open ? name : null) })]),
  ) as Record<Name, WritableComputedRef<boolean>>;
  return { picking, shown: reactive(toggles) };
}
