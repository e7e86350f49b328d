import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Aspects, CfnResource, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import * as nag2 from 'cdk-nag-v2';
import { IConstruct } from 'constructs';
import { ExampleStack } from '../../bin/example-stack';
import { AccessLevel, ChimeAppInstance, ProviderBackedResource, WickrChimeDriftMonitor, WickrChimeProvider, WickrDataRetentionBot, WickrNetwork } from '../../lib';

/**
 * cdk-nag's AwsSolutions and Serverless packs find nothing unacknowledged in the example
 * stack and in a one-network, one-app-instance stack: the library fixes what it should on
 * its own resources and acknowledges the rest there, with reasons; the example acknowledges
 * its own secrets. cdk-nag 3 is a policy validation plugin: the last test registers it the
 * way an app does and synthesizes with aws-cdk-lib's built-in validation on; the others
 * call the packs directly on a synthesized stack (CDK_VALIDATION=false, test/setup/env.ts).
 */

const ENV = { account: '123456789012', region: 'us-east-1' };

/** Every finding (errors and warnings) of both packs, one readable line each; `[]` when clean. */
function findings(scope: IConstruct): string[] {
  return [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
    pack.validateScope(scope).violations.flatMap((v) => v.violatingResources.map((r) => `${v.severity} ${v.ruleName} at ${r.constructPath}: ${v.description}`)),
  );
}

/** A synthesized stack of its own app, so the packs see the tree as `cdk synth` leaves it. */
function synthesized<T extends Stack>(make: (app: App) => T): T {
  const app = new App();
  const stack = make(app);
  app.synth();
  return stack;
}

function minimalStack(app: App, id = 'Minimal', props: StackProps = { env: ENV }): Stack {
  const stack = new Stack(app, id, props);
  // Network names are unique in an account and region (the example stack, in the same app, has "ops").
  new WickrNetwork(stack, 'Ops', { networkName: `${id.toLowerCase()}-ops`, accessLevel: AccessLevel.STANDARD });
  new ChimeAppInstance(stack, 'Chat', { name: 'support-chat' });
  return stack;
}

/** The acknowledgments recorded in the tree, as `<path relative to the stack>: <rule id>`. */
function acknowledgments(stack: Stack): string[] {
  return stack.node
    .findAll()
    .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).flatMap((m) => Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ c, id, reason }))))
    .map(({ c, id, reason }) => {
      expect(reason.length).toBeGreaterThan(80); // a reason, not a placeholder
      return `${path.relative(stack.node.path, c.node.path)}: ${id.replace(/^Annotation::/, '')}`;
    })
    .sort();
}

describe('cdk-nag AwsSolutionsChecks and ServerlessChecks', () => {
  test('the example stack: no unacknowledged finding', () => {
    const stack = synthesized((app) => new ExampleStack(app, 'Example', { env: ENV }));
    expect(findings(stack)).toEqual([]);
  });

  test('the example stack without an environment (account, region and partition are tokens in every ARN): none either', () => {
    const stack = synthesized((app) => new ExampleStack(app, 'Example'));
    expect(findings(stack)).toEqual([]);
  });

  test('one network and one app instance: no unacknowledged finding', () => {
    const stack = synthesized((app) => minimalStack(app));
    expect(findings(stack)).toEqual([]);
  });

  test('a network encrypted with a customer managed key: none either (the key grant names its actions)', () => {
    const stack = synthesized((app) => {
      const s = new Stack(app, 'Encrypted', { env: ENV });
      const key = new kms.Key(s, 'Key', { enableKeyRotation: true });
      new WickrNetwork(s, 'Ops', { networkName: 'ops', accessLevel: AccessLevel.STANDARD, encryptionKey: key });
      return s;
    });
    expect(findings(stack)).toEqual([]);
  });

  test('with a drift monitor and its alarm: none either', () => {
    const stack = synthesized((app) => {
      const s = minimalStack(app, 'Watched');
      new WickrChimeDriftMonitor(s, 'Drift', { alarm: true });
      return s;
    });
    expect(findings(stack)).toEqual([]);
  });

  test("with customer managed keys for the provider's log group and the data retention bot's challenge: none either", () => {
    const stack = synthesized((app) => {
      const s = new Stack(app, 'Keys', { env: ENV });
      const key = new kms.Key(s, 'Key', { enableKeyRotation: true });
      WickrChimeProvider.configure(s, { logGroupEncryptionKey: key });
      const network = new WickrNetwork(s, 'Ops', { networkName: 'ops', accessLevel: AccessLevel.STANDARD });
      new WickrDataRetentionBot(s, 'Retention', { network, challengeEncryptionKey: key });
      return s;
    });
    expect(findings(stack)).toEqual([]);
  });

  test("the library acknowledges only its own deliberate choices, on its own resources, each with a reason", () => {
    const stack = synthesized((app) => minimalStack(app));
    expect(acknowledgments(stack)).toEqual([
      'WickrChimeProvider/Handler: Serverless-LambdaDLQ',
      'WickrChimeProvider/Handler: Serverless-LambdaTracing',
      'WickrChimeProvider/HandlerServiceRole: AwsSolutions-IAM5[Resource::*]',
      'WickrChimeProvider/HandlerServiceRole: AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:chime:us-east-1:123456789012:app-instance/*]',
      'WickrChimeProvider/HandlerServiceRole: AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudformation:us-east-1:123456789012:stack/*]',
      'WickrChimeProvider/HandlerServiceRole: AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:wickr:us-east-1:123456789012:network/*]',
    ]);
  });

  test('a wildcard the library did not choose stays a finding, even on the provider role', () => {
    const stack = synthesized((app) => {
      const s = new Stack(app, 'Wide', { env: ENV });
      const provider = WickrChimeProvider.of(s);
      provider.grant(['wickr:GetNetwork'], ['*']); // an action with a resource type, on *
      provider.grant(['s3:GetObject'], ['arn:aws:s3:::another-bucket/*']); // not an assets bucket
      provider.grant(['secretsmanager:GetSecretValue'], ['arn:aws:secretsmanager:us-east-1:123456789012:secret:*']);
      return s;
    });
    expect(findings(stack).filter((f) => f.includes('IAM5'))).toEqual([
      expect.stringContaining('AwsSolutions-IAM5[Resource::*] at Wide/WickrChimeProvider/'),
      expect.stringContaining('AwsSolutions-IAM5[Resource::arn:aws:s3:::another-bucket/*] at Wide/WickrChimeProvider/'),
      expect.stringContaining('AwsSolutions-IAM5[Resource::arn:aws:secretsmanager:us-east-1:123456789012:secret:*] at Wide/WickrChimeProvider/'),
    ]);
  });

  test('registered as validation plugins, as an app does, in a synth with the built-in validation on: the only violation is a canary outside the library', () => {
    const saved = process.env.CDK_VALIDATION;
    delete process.env.CDK_VALIDATION;
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'nag-'));
    try {
      const app = new App({ outdir });
      // writeSuppressionsToCloudFormation: the acknowledgments also land in the templates, as cdk-nag 2's `cdk_nag` metadata.
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true }), new ServerlessChecks(app));
      new ExampleStack(app, 'Example', { env: ENV });
      minimalStack(app);
      // The canary proves the packs ran: a secret of the app's own, without rotation and not acknowledged.
      new secretsmanager.Secret(new Stack(app, 'Canary', { env: ENV }), 'Unrotated');

      expect(() => app.synth()).toThrow(/AwsSolutions-SMG4/);
      const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as {
        pluginReports: { pluginName: string; violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[] }[];
      };
      const violations = report.pluginReports
        .filter((r) => ['AwsSolutions', 'Serverless'].includes(r.pluginName))
        .flatMap((r) => r.violations.flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} at ${c.constructPath}`)));
      expect(violations).toEqual(['AwsSolutions-SMG4 at Canary/Unrotated/Resource']);

      const template = JSON.parse(fs.readFileSync(path.join(outdir, 'Minimal.template.json'), 'utf8')) as { Resources: Record<string, { Type: string; Metadata?: { cdk_nag?: { rules_to_suppress: { id: string; reason: string }[] } } }> };
      const policy = Object.values(template.Resources).find((r) => r.Type === 'AWS::IAM::Policy');
      expect(policy?.Metadata?.cdk_nag?.rules_to_suppress.map((r) => r.id)).toEqual(expect.arrayContaining(['AwsSolutions-IAM5[Resource::*]']));
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
      if (saved !== undefined) process.env.CDK_VALIDATION = saved;
    }
  });
});

/**
 * cdk-nag 2.x, an Aspect that reads the `cdk_nag` metadata of each resource (not the
 * acknowledgments cdk-nag 3 reads): the library's own resources (the provider and what its
 * constructs make) carry the same acknowledgments for it, with the same reasons.
 */
describe('cdk-nag 2 (AwsSolutionsChecks and ServerlessChecks as Aspects)', () => {
  /** The findings cdk-nag 2 annotates (errors and warnings), on the library's own resources, one line each. */
  function nag2Findings(make: (app: App) => Stack): string[] {
    const app = new App();
    const stack = make(app);
    Aspects.of(app).add(new nag2.AwsSolutionsChecks());
    Aspects.of(app).add(new nag2.ServerlessChecks());
    app.synth();
    const library = (c: IConstruct) => c.node.scopes.some((s) => s instanceof WickrChimeProvider || s instanceof ProviderBackedResource);
    return stack.node
      .findAll()
      .filter((c) => CfnResource.isCfnResource(c) && library(c))
      .flatMap((c) => c.node.metadata.filter((m) => m.type === 'aws:cdk:error' || m.type === 'aws:cdk:warning').map((m) => `${c.node.path}: ${String(m.data).split('\n')[0]}`))
      .filter((line) => /AwsSolutions-|Serverless-/.test(line));
  }

  test('the example stack: no unacknowledged finding on the library resources', () => {
    expect(nag2Findings((app) => new ExampleStack(app, 'Example', { env: ENV }))).toEqual([]);
  });

  test('one network: no unacknowledged finding on the library resources', () => {
    expect(nag2Findings((app) => {
      const stack = new Stack(app, 'OneNetwork', { env: ENV });
      new WickrNetwork(stack, 'Ops', { networkName: 'ops', accessLevel: AccessLevel.STANDARD });
      return stack;
    })).toEqual([]);
  });

  test('the reasons cdk-nag 2 reads are the ones cdk-nag 3 reads', () => {
    const stack = synthesized((app) => minimalStack(app));
    const policy = stack.node.findAll().find((c) => CfnResource.isCfnResource(c) && c.cfnResourceType === 'AWS::IAM::Policy') as CfnResource;
    const nag2Rules = (policy.getMetadata('cdk_nag') as { rules_to_suppress: { id: string; reason: string; applies_to?: string[] }[] }).rules_to_suppress;
    const role = policy.node.scope!.node.scope!;
    const nag3: Record<string, string> = Object.fromEntries(role.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([id, reason]) => [id.replace(/^annotation::/i, ''), reason])));
    for (const rule of nag2Rules) {
      for (const finding of rule.applies_to ?? []) expect(nag3[`${rule.id}[${finding}]`]).toBe(rule.reason);
    }
    expect(nag2Rules.flatMap((r) => r.applies_to ?? []).sort()).toEqual(Object.keys(nag3).map((k) => /\[(.*)\]$/.exec(k)![1]).sort());
  });
});
