import { SyncRunEntity } from '@cartograph/platform/sync';
import { HexConnectionEntity } from '../modules/connections/hex-connection.entity.js';
import { HexProjectEntity } from '../modules/projects/hex-project.entity.js';
import { HexUserEntity } from '../modules/users/hex-user.entity.js';

export const hexEntities = [HexConnectionEntity, HexProjectEntity, HexUserEntity, SyncRunEntity];
