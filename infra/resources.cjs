// Stage-aware CloudFormation fragments for serverless.yml. osls calls an exported function of a
// `${file(x.cjs):name}` variable with ({ options, resolveVariable, resolveConfigurationProperty }), not with
// our own arguments, so the stage is resolved here and handed to infra/table.cjs (the one table definition).
'use strict';

const { cloudFormation } = require('./table.cjs');

const stageOf = async (resolveVariable) => String(await resolveVariable('sls:stage'));

module.exports = {
  /** `MorTable: ${file(./infra/resources.cjs):table}` */
  table: async ({ resolveVariable }) => cloudFormation(await stageOf(resolveVariable)),
};
