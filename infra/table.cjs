// The one definition of the single DynamoDB table. serverless.yml renders it as CloudFormation
// (`cloudFormation`), the local bootstrap as a CreateTable request (`createTableInput`), so the
// deployed and the local table cannot drift.
'use strict';

const INDEX_NAMES = ['GSI1', 'GSI2', 'GSI3', 'GSI4'];
const KEY_ATTRIBUTES = ['PK', 'SK', ...INDEX_NAMES.flatMap((name) => [`${name}PK`, `${name}SK`])];

const GLOBAL_SECONDARY_INDEXES = INDEX_NAMES.map((name) => ({
  IndexName: name,
  KeySchema: [
    { AttributeName: `${name}PK`, KeyType: 'HASH' },
    { AttributeName: `${name}SK`, KeyType: 'RANGE' },
  ],
  Projection: { ProjectionType: 'ALL' },
}));

const base = {
  AttributeDefinitions: KEY_ATTRIBUTES.map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
  KeySchema: [
    { AttributeName: 'PK', KeyType: 'HASH' },
    { AttributeName: 'SK', KeyType: 'RANGE' },
  ],
  GlobalSecondaryIndexes: GLOBAL_SECONDARY_INDEXES,
  BillingMode: 'PAY_PER_REQUEST',
};

const TTL_ATTRIBUTE = 'expiresAt';

/** Stages whose data must survive a mistaken `osls remove`. */
const isProductionStage = (stage) => /^prod/.test(String(stage));

function cloudFormation(stage) {
  const production = isProductionStage(stage);
  return {
    Type: 'AWS::DynamoDB::Table',
    DeletionPolicy: production ? 'Retain' : 'Delete',
    UpdateReplacePolicy: production ? 'Retain' : 'Delete',
    Properties: {
      TableName: `morless-${stage}`,
      ...base,
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: production,
      SSESpecification: { SSEEnabled: true },
    },
  };
}

function createTableInput(tableName) {
  return {
    TableName: tableName,
    ...base,
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
  };
}

module.exports = { cloudFormation, createTableInput, isProductionStage, TTL_ATTRIBUTE, KEY_ATTRIBUTES };
