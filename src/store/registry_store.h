// RegistryStore: the registry of information systems and their level dossiers, part of Store
// (store.h). Same contract as the rest of the Store: every method takes the Actor; an object
// outside its kReadRegistry scope is kNotFound; changing needs kManageRegistry on the object's
// organisation (kForbidden otherwise); every change writes its audit entry in the same
// transaction; nothing is changed when a method fails.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "model/model.h"
#include "model/registry.h"

namespace vigil {

// Computes a system's proposed level from its regime, its recorded facts (a JSON object) and the
// highest proposed level among its components (0: none). Implemented above the store (api/, with
// compliance::LevelCalculator) so that the store does not depend on the legal catalogs. Errors
// are validation errors naming the fact. Must be thread-safe.
class SystemLeveler {
 public:
  virtual ~SystemLeveler() = default;
  virtual Result<int> proposedLevel(const std::string& regimeId, const std::string& factsJson,
                                    int componentsLevel) const = 0;
};

class RegistryStore {
 public:
  virtual ~RegistryStore() = default;

  // --- Information systems. A save computes the proposed level with `leveler`, then recomputes
  // every ancestor (a component raises its parent). The parent must be a system of the same
  // organisation and not the system itself or one of its components.
  virtual Result<Page<InfoSystem>> listSystems(const Actor& actor, const SystemQuery& q) = 0;
  virtual Result<InfoSystem> getSystem(const Actor& actor, int64_t id) = 0;
  virtual Result<InfoSystem> createSystem(const Actor& actor, const SystemFields& f, const SystemLeveler& leveler) = 0;
  // Replaces the recorded fields (the organisation cannot change).
  virtual Result<InfoSystem> updateSystem(const Actor& actor, int64_t id, const SystemFields& f,
                                          const SystemLeveler& leveler) = 0;
  // Refused (kConflict) while the system has components or an approved dossier (retire it).
  virtual Status deleteSystem(const Actor& actor, int64_t id, const SystemLeveler& leveler) = 0;
  // All or nothing: creates every row or none; an error names the row ("row 3: ...").
  virtual Result<std::vector<int64_t>> importSystems(const Actor& actor, const std::vector<SystemFields>& rows,
                                                     const SystemLeveler& leveler) = 0;
  // Components of a system (direct children), visible to the actor.
  virtual Result<std::vector<InfoSystem>> systemComponents(const Actor& actor, int64_t id) = 0;

  // --- Assets
  virtual Result<Page<Asset>> listAssets(const Actor& actor, const AssetQuery& q) = 0;
  virtual Result<Asset> getAsset(const Actor& actor, int64_t id) = 0;
  virtual Result<Asset> createAsset(const Actor& actor, const AssetFields& f) = 0;
  virtual Result<Asset> updateAsset(const Actor& actor, int64_t id, const AssetFields& f) = 0;
  virtual Status deleteAsset(const Actor& actor, int64_t id) = 0;
  virtual Result<std::vector<int64_t>> importAssets(const Actor& actor, const std::vector<AssetFields>& rows) = 0;
  // Coverage over `orgId`'s subtree (or all in scope); `updatedSince`: YYYY-MM-DD cut-off.
  virtual Result<AssetCoverage> assetCoverage(const Actor& actor, std::optional<int64_t> orgId,
                                              const std::string& updatedSince) = 0;

  // --- Accounts and backups of a system
  virtual Result<std::vector<SystemAccount>> listAccounts(const Actor& actor, int64_t systemId) = 0;
  virtual Result<SystemAccount> createAccount(const Actor& actor, int64_t systemId, const AccountFields& f) = 0;
  virtual Result<SystemAccount> updateAccount(const Actor& actor, int64_t id, const AccountFields& f) = 0;
  virtual Status deleteAccount(const Actor& actor, int64_t id) = 0;
  virtual Result<std::vector<BackupPolicy>> listBackups(const Actor& actor, int64_t systemId) = 0;
  virtual Result<BackupPolicy> createBackup(const Actor& actor, int64_t systemId, const BackupFields& f) = 0;
  virtual Result<BackupPolicy> updateBackup(const Actor& actor, int64_t id, const BackupFields& f) = 0;
  virtual Status deleteBackup(const Actor& actor, int64_t id) = 0;

  // --- Contacts of agencies
  virtual Result<Page<Contact>> listContacts(const Actor& actor, std::optional<int64_t> orgId) = 0;
  virtual Result<Contact> createContact(const Actor& actor, const ContactFields& f) = 0;
  virtual Result<Contact> updateContact(const Actor& actor, int64_t id, const ContactFields& f) = 0;
  virtual Status deleteContact(const Actor& actor, int64_t id) = 0;

  // --- Level dossiers. One open (not approved) dossier per system at a time.
  virtual Result<std::vector<Dossier>> listDossiers(const Actor& actor, int64_t systemId) = 0;
  virtual Result<Dossier> getDossier(const Actor& actor, int64_t id) = 0;
  virtual Result<Dossier> createDossier(const Actor& actor, int64_t systemId) = 0;
  // Applies one step; refuses a step the current state does not allow (kConflict) and dates
  // earlier than the previous step (kValidation, field "on"). Approval sets the system's approved
  // level and date.
  virtual Result<Dossier> transitionDossier(const Actor& actor, int64_t id, const DossierTransition& t) = 0;
  virtual Result<std::vector<Attachment>> listAttachments(const Actor& actor, int64_t dossierId) = 0;
  // Records the metadata of a file already in the blob store.
  virtual Result<Attachment> addAttachment(const Actor& actor, int64_t dossierId, const Attachment& a) = 0;
  virtual Result<Attachment> getAttachment(const Actor& actor, int64_t id) = 0;
};

}  // namespace vigil
