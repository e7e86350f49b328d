/** Wire contract of `WickrNetwork` (shared by the construct and the handler). */
export const NETWORK_TYPE = 'Custom::WickrNetwork';

export const NetworkKeys = {
  NetworkName: 'NetworkName',
  AccessLevel: 'AccessLevel',
  EncryptionKeyArn: 'EncryptionKeyArn',
  EnablePremiumFreeTrial: 'EnablePremiumFreeTrial',
  AllowReplacement: 'AllowReplacement',
} as const;

/** The types whose physical ids name networks: this library's, and the native `AWS::Wickr::Network` (whose id is the network's ARN). */
export const NETWORK_CLAIM_TYPES = [NETWORK_TYPE, 'AWS::Wickr::Network'] as const;

export const ACCESS_LEVELS = ['STANDARD', 'PREMIUM'] as const;
export const NETWORK_NAME_MAX = 20;
