// Local osls plugin (listed in serverless.yml as ./infra/lean-stack.cjs). Runs after the framework has
// compiled the events and reshapes the HTTP API part of the template (see infra/functions.cjs, top comment):
//
//  1. One IAM role that API Gateway assumes to invoke the Lambdas (`CredentialsArn` on every AWS_PROXY
//     integration — documented for HTTP API Lambda integrations) replaces the framework's one
//     AWS::Lambda::Permission per function. Saves one resource per HTTP function.
//  2. With `disableLogs: true` on every function (they all log to the one shared group through Lambda
//     LoggingConfig) the framework leaves its two log statements with `Resource: []` in the execution
//     role, which IAM rejects: they are dropped (serverless.yml grants the shared group explicitly), and
//     every function `DependsOn` the shared log group resource (`custom.leanStack.logGroupResource`).
//  3. Default route throttling on the `$default` stage (`custom.leanStack.throttle`), which the framework
//     cannot express. Done here rather than in `resources.extensions` so that a service without any HTTP
//     function (an empty functions/ folder) still packages.
'use strict';

const INVOKE_ROLE = 'HttpApiInvokeRole';

class LeanStack {
  constructor(serverless) {
    this.serverless = serverless;
    this.provider = serverless.getProvider('aws');
    this.hooks = {
      'after:package:compileEvents': () => this.apply(),
    };
  }

  apply() {
    const service = this.serverless.service;
    const resources = service.provider.compiledCloudFormationTemplate.Resources;
    const config = (service.custom && service.custom.leanStack) || {};

    const integrations = Object.values(resources).filter(
      (r) => r.Type === 'AWS::ApiGatewayV2::Integration' && r.Properties && r.Properties.IntegrationType === 'AWS_PROXY'
    );
    if (integrations.length && config.invokeRole !== false) {
      const prefix = `${service.service}-${this.provider.getStage()}-`;
      resources[INVOKE_ROLE] = {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: 'apigateway.amazonaws.com' },
                Action: 'sts:AssumeRole',
              },
            ],
          },
          Policies: [
            {
              PolicyName: 'invoke-functions',
              PolicyDocument: {
                Version: '2012-10-17',
                Statement: [
                  {
                    Effect: 'Allow',
                    Action: 'lambda:InvokeFunction',
                    Resource: {
                      'Fn::Sub': `arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:${prefix}*`,
                    },
                  },
                ],
              },
            },
          ],
        },
      };
      for (const integration of integrations) {
        integration.Properties.CredentialsArn = { 'Fn::GetAtt': [INVOKE_ROLE, 'Arn'] };
      }
      for (const [logicalId, resource] of Object.entries(resources)) {
        if (resource.Type === 'AWS::Lambda::Permission' && logicalId.endsWith('LambdaPermissionHttpApi')) {
          delete resources[logicalId];
        }
      }
    }

    const role = resources.IamRoleLambdaExecution;
    if (role && role.Properties && Array.isArray(role.Properties.Policies)) {
      for (const policy of role.Properties.Policies) {
        const doc = policy.PolicyDocument;
        if (doc && Array.isArray(doc.Statement)) {
          doc.Statement = doc.Statement.filter((s) => !(Array.isArray(s.Resource) && s.Resource.length === 0));
        }
      }
    }

    if (config.logGroupResource) {
      for (const resource of Object.values(resources)) {
        if (resource.Type !== 'AWS::Lambda::Function') continue;
        if (!resource.Properties || !resource.Properties.LoggingConfig || !resource.Properties.LoggingConfig.LogGroup) continue;
        const dependsOn = [].concat(resource.DependsOn || []);
        if (!dependsOn.includes(config.logGroupResource)) dependsOn.push(config.logGroupResource);
        resource.DependsOn = dependsOn;
      }
    }

    const stage = resources.HttpApiStage;
    if (stage && config.throttle) {
      const { burstLimit, rateLimit } = config.throttle;
      stage.Properties.DefaultRouteSettings = {
        ...(stage.Properties.DefaultRouteSettings || {}),
        ...(burstLimit != null && { ThrottlingBurstLimit: Number(burstLimit) }),
        ...(rateLimit != null && { ThrottlingRateLimit: Number(rateLimit) }),
      };
    }
  }
}

module.exports = LeanStack;
