export * from './core/provider';
export * from './core/errors';
export * from './wickr/network';
export * from './wickr/network-settings';
export * from './wickr/security-group';
export * from './chime/app-instance';
