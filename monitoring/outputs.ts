import { DEFAULT_DASHBOARD, DEFAULT_RULES } from './config.js';
import { dashboardJson, dashboardTemplateJson } from './dashboard/json.js';
import { DEMO_RULES, demoAlertsModule } from './demo.js';
import { alertsYaml, rulesTemplateYaml } from './rules/yaml.js';

/** Every generated file, by path from the repository root, with the text the defaults give. */
export function outputs(): Record<string, string> {
  const files = 'helm/clouddc-exporter/files';
  return {
    [`${files}/alerts.yml`]: alertsYaml(DEFAULT_RULES),
    [`${files}/alerts-template.yaml`]: rulesTemplateYaml(),
    [`${files}/dashboard.json`]: dashboardJson(DEFAULT_DASHBOARD),
    [`${files}/dashboard-template.json`]: dashboardTemplateJson(),
    'src/runtime/demo-alerts.ts': demoAlertsModule(alertsYaml(DEMO_RULES)),
  };
}
