import { CustomResource, RemovalPolicy, Resource } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { createProviderResource, ProviderResourceOptions, warnIfRetained } from './custom-resource';

/**
 * The base of every resource construct of this library: a `Resource` whose CloudFormation
 * resource is a custom resource served by the stack's provider function
 * (`WickrChimeProvider`). Not meant to be extended outside the library.
 */
export abstract class ProviderBackedResource extends Resource {
  private customResource?: CustomResource;

  /**
   * Creates the custom resource; called once by the subclass constructor.
   * @internal
   */
  protected _createResource(options: ProviderResourceOptions): CustomResource {
    this.customResource = createProviderResource(this, 'Resource', options);
    return this.customResource;
  }

  /**
   * Sets what CloudFormation does with the Wickr or Chime resource when it leaves the
   * stack or is replaced: `RETAIN` keeps it (and, with a synth warning, whatever a failed
   * first create made), `RETAIN_ON_UPDATE_OR_DELETE` keeps it but removes what a failed
   * create made, `DESTROY` deletes it.
   */
  public applyRemovalPolicy(policy: RemovalPolicy): void {
    if (!this.customResource) throw new Error(`[${this.node.path}] applyRemovalPolicy: the custom resource was not created yet`);
    this.customResource.applyRemovalPolicy(policy);
    warnIfRetained(this, policy);
  }
}

/**
 * The import that adopts a native CloudFormation resource, made once per resource (as a
 * child of it under `id`) so that adopting it twice gives the same object.
 */
export function adoptOnce<T>(cfn: Construct, id: string, importIt: (scope: Construct, id: string) => T): T {
  return (cfn.node.tryFindChild(id) as unknown as T | undefined) ?? importIt(cfn, id);
}
