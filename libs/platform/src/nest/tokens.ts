/** Injection tokens of the platform providers. */
export const CONFIG = Symbol('cartograph:config');
export const LOGGER = Symbol('cartograph:logger');
export const METRICS = Symbol('cartograph:metrics');
export const REDIS = Symbol('cartograph:redis');
export const SERVICE = Symbol('cartograph:service-definition');
export const HEALTH_CHECKS = Symbol('cartograph:health-checks');
