/**
 * ECharts with only what the pages draw: bar charts (dashboards) and line charts (a product's
 * NAV history) on a grid, tooltips, the canvas renderer. Imported dynamically by EChart.vue, so it is its own chunk, loaded by the pages that
 * show a chart (看板) and by no other route.
 */
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import { init, use } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

use([BarChart, LineChart, GridComponent, TooltipComponent, CanvasRenderer]);

export { init };
