import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Capability, StackSet, StackSetStack, StackSetTarget, StackSetTemplate } from 'cdk-stacksets';
import { AccessLevel, UsersFile, WickrNetwork, WickrSecurityGroup, WickrUsers } from '../../lib';

/**
 * One baseline, many accounts: a stack with a users file deploys as a StackSet through
 * cdk-stacksets, which takes directory and .zip assets only ("Asset path must be either a
 * .zip file or a directory" for a single file). The users file is staged as a directory,
 * zipped into the StackSet's asset buckets, and read by the handler from the ZIP.
 */
const CSV = path.join(__dirname, '..', '..', 'bin', 'example-users.csv');

test('a stack with a users file synthesizes as a StackSet: the users file travels as a ZIP in the asset buckets, the provider may read users files only', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'stackset-'));
  try {
    const app = new App({ outdir });
    const admin = new Stack(app, 'Admin', { env: { account: '111111111111', region: 'us-east-1' } });
    const baseline = new StackSetStack(admin, 'WickrBaseline', {
      assetBuckets: [s3.Bucket.fromBucketName(admin, 'Assets', 'org-stackset-assets-us-east-1')],
      assetBucketPrefix: 'org-stackset-assets',
    });
    const network = new WickrNetwork(baseline, 'Ops', { networkName: 'ops', accessLevel: AccessLevel.PREMIUM });
    const analysts = new WickrSecurityGroup(baseline, 'Analysts', { network, name: 'analysts' });
    new WickrUsers(baseline, 'Staff', { network, usersFile: UsersFile.fromCsv(CSV), securityGroups: { analysts } });
    new StackSet(admin, 'Everywhere', {
      target: StackSetTarget.fromAccounts({ regions: ['us-east-1'], accounts: ['222222222222', '333333333333'] }),
      template: StackSetTemplate.fromStackSetStack(baseline),
      capabilities: [Capability.IAM],
    });
    app.synth();

    const sha256 = createHash('sha256').update(fs.readFileSync(CSV, 'utf8'), 'utf8').digest('hex');
    const templateFile = fs.readdirSync(outdir).find((f) => f.endsWith('.stackset.template.json'))!;
    const template = JSON.parse(fs.readFileSync(path.join(outdir, templateFile), 'utf8'));
    const users = Object.values<any>(template.Resources).find((r) => r.Type === 'Custom::WickrUsers');
    expect(users.Properties.UsersFile).toEqual({
      Bucket: { 'Fn::Join': ['-', ['org-stackset-assets', { Ref: 'AWS::Region' }]] },
      Key: `wickr-users-${sha256}.zip`,
      Format: 'csv',
      Sha256: sha256,
      Archive: 'users.csv',
    });
    // The directory the asset buckets receive (zipped) holds the file as the handler reads it.
    expect(fs.readFileSync(path.join(outdir, `asset.wickr-users-${sha256}`, 'users.csv'), 'utf8')).toBe(fs.readFileSync(CSV, 'utf8'));
    // The provider reads users files of the StackSet's bucket, nothing else there.
    const s3Statements = Object.values<any>(template.Resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((st: any) => [].concat(st.Action).some((a: string) => a.startsWith('s3:')));
    expect(s3Statements).toHaveLength(1);
    expect(JSON.stringify(s3Statements[0].Resource)).toContain('/wickr-users-*.zip');
    // The admin stack deploys the assets to the StackSet's buckets, the users file among them.
    const adminTemplate = JSON.parse(fs.readFileSync(path.join(outdir, 'Admin.template.json'), 'utf8'));
    expect(Object.values<any>(adminTemplate.Resources).filter((r) => r.Type === 'Custom::CDKBucketDeployment')).toHaveLength(1);
    expect(Object.values<any>(adminTemplate.Resources).filter((r) => r.Type === 'AWS::CloudFormation::StackSet')).toHaveLength(1);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
});
