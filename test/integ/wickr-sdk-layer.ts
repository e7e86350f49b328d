import * as path from 'path';
import { AssetHashType, CfnResource, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/** The module the integ-tests assertion provider loads for `awsApiCall('Wickr', ...)`. */
export const WICKR_SDK_PACKAGE = '@aws-sdk/client-wickr';
/** Where a Node.js Lambda layer's modules are found (`/opt/nodejs/node_modules`). */
export const LAYER_MODULE_PATH = path.join('nodejs', 'node_modules', ...WICKR_SDK_PACKAGE.split('/'), 'index.js');

const ROOT = path.resolve(__dirname, '..', '..');

/**
 * Gives the assertion provider of an integ-tests assertion stack a Wickr client.
 *
 * integ-tests' `awsApiCall` loads `@aws-sdk/client-<service>` from the Lambda runtime's
 * AWS SDK, and no Wickr client of the AWS SDK for JavaScript is published, so
 * `awsApiCall('Wickr', ...)` would fail in an account with "client package ... does not
 * exist". This layer puts this library's signed Wickr client (`lambda/wickr/client.ts`,
 * which has the SDK's shape: a `WickrClient` and one `XxxCommand` per operation) at
 * `/opt/nodejs/node_modules/@aws-sdk/client-wickr`, ahead of the runtime's modules, and
 * adds it to the assertion stack's provider function. Call it after the last
 * `awsApiCall`, with the `assertionStack` given to `IntegTest`.
 */
export function addWickrSdkLayer(assertionStack: Stack): void {
  const layer = new lambda.LayerVersion(assertionStack, 'WickrSdkLayer', {
    description: `${WICKR_SDK_PACKAGE} for the integ-tests assertion provider: the cdk-wickr-chime signed Wickr client`,
    code: lambda.Code.fromAsset(path.join(ROOT, 'lambda', 'wickr'), {
      assetHashType: AssetHashType.OUTPUT,
      bundling: {
        image: lambda.Runtime.NODEJS_22_X.bundlingImage,
        local: { tryBundle: (outputDir) => bundleClient(path.join(outputDir, LAYER_MODULE_PATH)) },
      },
    }),
  });
  const functions = assertionStack.node.findAll()
    .filter((c): c is CfnResource => CfnResource.isCfnResource(c) && c.cfnResourceType === 'AWS::Lambda::Function');
  if (functions.length !== 1) {
    throw new Error(`expected the one assertion provider function in ${assertionStack.stackName}, found ${functions.length}: add the layer after the assertions`);
  }
  functions[0].addPropertyOverride('Layers', [layer.layerVersionArn]);
}

/** Bundles the Wickr client with esbuild (a devDependency; the cases run from a clone), with the provider handler's options. */
function bundleClient(outfile: string): boolean {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { buildOptions } = require(path.join(ROOT, 'scripts', 'bundle-handler.js'));
  esbuild.buildSync(buildOptions({ entryPoints: [path.join(ROOT, 'lambda', 'wickr', 'client.ts')], outfile, metafile: false }));
  return true;
}
